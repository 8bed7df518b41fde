package dev.nightshift.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/** A real Zipkin server (io.zipkin:zipkin-server exec jar from Maven Central) on 127.0.0.1, in-memory storage. */
public final class ZipkinServer implements AutoCloseable {

    private final Process process;
    private final int port;

    private ZipkinServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static ZipkinServer start() throws IOException, InterruptedException {
        Path jar = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> p.contains("zipkin-server") && p.endsWith("-exec.jar")).map(Path::of).findFirst()
                .orElseThrow(() -> new IllegalStateException("zipkin-server exec jar not on the test classpath"));
        int port = DebianBinary.freePort();
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        Process process = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(),
                "--armeria.ports[0].ip=127.0.0.1", "--armeria.ports[0].port=" + port,
                "--armeria.ports[0].protocols=http")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        ZipkinServer server = new ZipkinServer(process, port);
        HttpClient http = HttpClient.newHttpClient();
        DebianBinary.await(process, "zipkin", Duration.ofSeconds(90), () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(server.url() + "/health")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        DebianBinary.stop(process);
    }
}
