"""Batch: the report matrix, kernels, rendering, manifest and index page."""
