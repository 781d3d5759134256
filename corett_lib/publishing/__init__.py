"""Publishing: disclosure control, the one publishing function for tables and charts, the scanner over rendered outputs, exports."""
