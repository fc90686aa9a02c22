package dev.streamtrain.core.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The bearer token of the HTTP control endpoints (RFC 6750): a request carries it as
 * {@code Authorization: Bearer <token>}, or, where a browser cannot set headers (an {@code EventSource}), as the
 * {@code access_token} query parameter (RFC 6750 §2.3). Compared in constant time. An empty token refuses everything.
 */
public final class BearerToken {
    private final byte[] token;

    public BearerToken(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Why a request with this {@code Authorization} header (and query token) is refused, or null when it bears the
     * token.
     *
     * @param authorization the header's value, or null
     * @param queryToken the {@code access_token} query parameter, or null
     */
    public String refusal(String authorization, String queryToken) {
        byte[] given = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8)
                : queryToken != null ? queryToken.getBytes(StandardCharsets.UTF_8) : null;
        if (given == null) {
            return "this endpoint needs 'Authorization: Bearer <token>'";
        }
        if (token.length == 0 || !MessageDigest.isEqual(token, given)) {
            return "the token is not the one this server was given";
        }
        return null;
    }
}
