"""Pictures and pages: area maps, heatmaps, the gap report in every format, tables."""
