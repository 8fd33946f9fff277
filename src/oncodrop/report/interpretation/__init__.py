"""The interpretation input every successful report keeps, so it can be re-interpreted later."""
