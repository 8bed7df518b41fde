package dev.nightshift.server.jobs;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in worker for {@link LocalRuntimeIT}, run as a real child JVM. It does what the file
 * {@code worker-script} two directories up (in the data directory) says: {@code escalate},
 * {@code conclude}, {@code sleep}, {@code exit2}, {@code crash} or {@code oom}. Written without the
 * contract module so its classes directory alone is a complete classpath.
 */
public final class ScriptedWorker {

    private ScriptedWorker() {}

    public static void main(String[] args) throws Exception {
        String script = Files.readString(Path.of("..", "..", "worker-script")).strip();
        Path result = Path.of(System.getenv("NIGHTSHIFT_RESULT_FILE"));
        System.out.println("scripted worker for " + System.getenv("INVESTIGATION_ID") + ": " + script);
        switch (script) {
            case "escalate" -> Files.writeString(result, "ESCALATED reasoning not available");
            case "conclude" -> Files.writeString(result, "CONCLUDED connection pool exhausted by slow queries");
            case "sleep" -> {
                for (int i = 0; ; i++) {
                    System.out.println("thinking " + i);
                    Thread.sleep(200);
                }
            }
            case "exit2" -> {
                Files.writeString(result, "FAILED INVESTIGATION_ID is not set");
                System.exit(2);
            }
            case "crash" -> System.exit(1);
            case "oom" -> System.exit(3);
            default -> throw new IllegalArgumentException(script);
        }
    }
}
