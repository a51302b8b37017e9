"""Evidence dossiers: per-commune and province workbooks, manifests and their verification."""
