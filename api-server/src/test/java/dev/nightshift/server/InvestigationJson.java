package dev.nightshift.server;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Reading an {@code Investigation} response in tests. */
public final class InvestigationJson {

    private InvestigationJson() {}

    /** The states it went through, oldest first ({@code transitions[].to}). */
    public static List<String> states(JsonNode investigation) {
        List<String> states = new ArrayList<>();
        investigation.path("transitions").forEach(t -> states.add(t.path("to").asString()));
        return states;
    }

    /** The reason of its latest transition. */
    public static String lastReason(JsonNode investigation) {
        JsonNode transitions = investigation.path("transitions");
        return transitions.get(transitions.size() - 1).path("reason").asString();
    }
}
