"""Working groups, thematic partnerships, regions and member profiles."""
