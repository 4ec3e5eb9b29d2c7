"""The blog's side: the posts manifest, the comments export, and re-baking pages."""
