"""The knowledge graph: reference-data records, loaders, the RDF graph, SHACL and SPARQL."""
