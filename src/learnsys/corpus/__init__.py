"""The document corpus: case studies and how-to guides in Markdown with YAML front matter."""
