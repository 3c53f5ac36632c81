-- Sentence embeddings of the knowledge base's passages, computed when a document is imported
-- and reused on every start. A vector is found by the model that made it and the digest of
-- the text it was made from, so a restored version or an unchanged passage costs nothing,
-- and vectors of another model are never mixed in.
CREATE TABLE kb_vectors (
    model TEXT NOT NULL,
    digest TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, digest)
) WITHOUT ROWID;
