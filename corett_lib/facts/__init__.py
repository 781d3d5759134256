"""Published facts: one fact table per build, from which every page, download, chart and view takes its figures."""
