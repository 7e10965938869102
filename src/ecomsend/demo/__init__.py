"""`ecomsend demo`: the whole flow on local sandboxes."""
