package io.kedge.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 spoken by hand on a socket, for tests of what a server does with connections and
 * half-sent requests, where a client library would hide them.
 */
public final class RawHttp {
  private RawHttp() {}

  /** Writes {@code request} (request line, headers and body, CRLF-separated) and flushes. */
  public static void send(Socket socket, String request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request.getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  /** What arrives until the server closes the connection or {@code enough} bytes came. */
  public static String read(Socket socket, int enough) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder text = new StringBuilder();
    byte[] buffer = new byte[4096];
    int n;
    while (text.length() < enough && (n = in.read(buffer)) > 0) {
      text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
    }
    return text.toString();
  }
}
