"""Support requests: regions ask, the secretariat answers, nobody is forgotten."""
