"""The JSON API (/api/v1) and its tokens: reads across the features, calls their services."""
