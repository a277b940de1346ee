"""Whole jobs that chain the stages (the build), for the CLI and notebooks."""
