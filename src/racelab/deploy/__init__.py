"""Deployments of the lab beyond the two runtimes on one machine (deploy/ in the checkout)."""
