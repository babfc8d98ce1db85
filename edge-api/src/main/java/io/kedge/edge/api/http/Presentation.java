package io.kedge.edge.api.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * How objects are answered: as themselves, or as rows of the Table kubectl prints ({@code Accept:
 * ...;as=Table}), carrying the metadata, the whole object or nothing ({@code includeObject}).
 */
record Presentation(String tableVersion, Tables.Include include) {
  boolean table() {
    return tableVersion != null;
  }

  static Presentation of(FullHttpRequest request, QueryParams params) {
    return new Presentation(
        Tables.tableVersion(request.headers().get(HttpHeaderNames.ACCEPT)),
        Tables.Include.parse(params.string("includeObject")));
  }
}
