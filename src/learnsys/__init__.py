"""learnsys: knowledge graph and best-practice search for the NHS improvement system."""
__version__ = "0.1.0"
