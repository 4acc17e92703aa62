"""Reports: one findings model for every check, and the renderers."""
