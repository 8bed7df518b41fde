package dev.nightshift.server.jobs.kubernetes;

/**
 * A token bucket: {@code qps} requests a second on average, {@code burst} at once. Keeps the
 * runtime's calls from flooding the Kubernetes API when an alert storm is admitted.
 */
final class RateLimiter {

    private final double perNano;
    private final double burst;
    private double tokens;
    private long last;

    RateLimiter(double qps, int burst) {
        if (qps <= 0 || burst < 1) {
            throw new IllegalStateException("nightshift.runtime.kubernetes qps must be positive and burst at least 1");
        }
        this.perNano = qps / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Waits until a request may be sent. */
    void acquire() throws InterruptedException {
        long wait;
        synchronized (this) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) * perNano);
            last = now;
            tokens -= 1;
            wait = tokens >= 0 ? 0 : (long) (-tokens / perNano);
        }
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
