"""The Dataset: every raw input read, corrected and assembled (not yet validated); the indicator registry, monitoring data and the SDG mapping as typed tables."""
