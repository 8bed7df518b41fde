package dev.nightshift.server.system;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.util.unit.DataSize;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Rejects request bodies over a limit with a 413 problem before anything parses them, whether the
 * client declares a {@code Content-Length} or streams chunks. Accepted bodies are buffered (they are
 * small by definition) and handed on unchanged.
 */
public final class BodySizeLimitFilter extends OncePerRequestFilter {

    private final String pathPrefix;
    private final String exceptPrefix;
    private final DataSize limit;
    private final ProblemResponses problems;

    /** @param exceptPrefix paths under {@code pathPrefix} that have a limit of their own, or {@code null} */
    public BodySizeLimitFilter(String pathPrefix, String exceptPrefix, DataSize limit, ProblemResponses problems) {
        this.pathPrefix = pathPrefix;
        this.exceptPrefix = exceptPrefix;
        this.limit = limit;
        this.problems = problems;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !path.startsWith(pathPrefix) || (exceptPrefix != null && path.startsWith(exceptPrefix));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long max = limit.toBytes();
        if (request.getContentLengthLong() > max) {
            reject(request, response);
            return;
        }
        byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        if (body.length > max) {
            reject(request, response);
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    private void reject(HttpServletRequest request, HttpServletResponse response) throws IOException {
        // Tell the client not to reuse the connection: the rest of its body is not read.
        response.setHeader("Connection", "close");
        problems.write(response, Problems.of(ProblemType.PAYLOAD_TOO_LARGE,
                "The request body exceeds " + limit.toKilobytes() + " KiB.", request.getRequestURI()));
    }

    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() throws IOException {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("Buffered bodies are read synchronously");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            Charset charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8;
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), charset));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
