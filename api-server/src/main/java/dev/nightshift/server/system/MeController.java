package dev.nightshift.server.system;

import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/me}: who the caller is and every role it holds (the UI hides what it may not do). */
@RestController
class MeController {

    /** {@code Me}. */
    record Me(String name, List<String> roles) {}

    private final RoleHierarchy roles;

    MeController(RoleHierarchy roles) {
        this.roles = roles;
    }

    @GetMapping(path = "/api/v1/me", produces = MediaType.APPLICATION_JSON_VALUE)
    Me me(Authentication principal) {
        return new Me(principal.getName(), roles.getReachableGrantedAuthorities(principal.getAuthorities()).stream()
                .map(GrantedAuthority::getAuthority).filter(a -> a.startsWith("ROLE_")).map(a -> a.substring(5))
                .distinct().sorted().toList());
    }
}
