package io.kedge.schemas;

/** What an edge write request asks the cloud to do. */
public enum WriteOperation {
  CREATE,
  UPDATE,
  PATCH,
  DELETE
}
