"""genspec: spec-driven validators, linter and clients for Leonardo.ai generations."""

__version__ = "0.1.0"
