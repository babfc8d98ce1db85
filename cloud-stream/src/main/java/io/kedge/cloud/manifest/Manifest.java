package io.kedge.cloud.manifest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kedge.schemas.ObjectKey;
import java.nio.file.Path;

/** One validated document of a manifest file: its origin, key and object. */
public record Manifest(Path file, int document, ObjectKey key, ObjectNode object) {}
