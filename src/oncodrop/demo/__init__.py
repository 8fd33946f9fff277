"""``oncodrop demo``: the whole embedded flow on generated, clearly synthetic samples."""
