"""Knowledge-graph preparation: the Wikidata dump to Parquet tables queryable with DuckDB."""
