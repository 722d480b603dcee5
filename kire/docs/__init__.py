"""Documents: one internal model for DocRED and DWIE, readers, validation and Parquet tables."""
