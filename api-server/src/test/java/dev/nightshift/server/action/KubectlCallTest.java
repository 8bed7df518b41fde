package dev.nightshift.server.action;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Test;

class KubectlCallTest {

    private static final ObjectMapper JSON = new JsonMapper();

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(nullValues = "-", value = {
            // method, path, query, verb, group, resource, subresource, namespace, name
            "GET, /api/v1/namespaces/shop/pods, -, list, '', pods, -, shop, -",
            "GET, /api/v1/namespaces/shop/pods, watch=true&resourceVersion=7, watch, '', pods, -, shop, -",
            "GET, /api/v1/watch/namespaces/shop/pods, -, watch, '', pods, -, shop, -",
            "GET, /api/v1/namespaces/shop/pods/web-0/log, follow=true, get, '', pods, log, shop, web-0",
            "GET, /api/v1/namespaces, -, list, '', namespaces, -, -, -",
            "GET, /api/v1/namespaces/shop, -, get, '', namespaces, -, shop, shop",
            "PUT, /api/v1/namespaces/shop/finalize, -, update, '', namespaces, finalize, shop, shop",
            "DELETE, /api/v1/namespaces/shop, -, delete, '', namespaces, -, shop, shop",
            "DELETE, /apis/apps/v1/namespaces/shop/deployments/web, -, delete, apps, deployments, -, shop, web",
            "DELETE, /api/v1/namespaces/shop/pods, -, deletecollection, '', pods, -, shop, -",
            "PATCH, /apis/apps/v1/namespaces/shop/deployments/web/scale, -, patch, apps, deployments, scale, shop, web",
            "POST, /api/v1/namespaces/shop/pods/web-0/eviction, -, create, '', pods, eviction, shop, web-0",
            "PATCH, /api/v1/nodes/n1, -, patch, '', nodes, -, -, n1",
            "GET, /version, -, get, -, -, -, -, -",
    })
    void shouldNameVerbAndResourceLikeRbac(String method, String path, String query, String verb, String group,
            String resource, String subresource, String namespace, String name) {
        KubectlCall call = KubectlCall.parse(method, path, query);
        assertThat(call.verb()).isEqualTo(verb);
        assertThat(call.group()).isEqualTo(group);
        assertThat(call.resource()).isEqualTo(resource);
        assertThat(call.subresource()).isEqualTo(subresource);
        assertThat(call.namespace()).isEqualTo(namespace);
        assertThat(call.name()).isEqualTo(name);
    }

    @Test
    void shouldFindReplicasImagesLimitsAndCordonsInEveryPatchForm() {
        KubectlCall patch = KubectlCall.parse("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web", null);
        assertThat(patch.replicas("{\"spec\":{\"replicas\":0}}", JSON)).isZero();
        assertThat(patch.replicas("[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]", JSON)).isEqualTo(2);
        assertThat(patch.replicas("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}", JSON)).isNull();

        assertThat(patch.changesImageOrLimits("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\","
                + "\"image\":\"web:2\"}]}}}}", JSON)).isTrue();
        assertThat(patch.changesImageOrLimits("[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/image\","
                + "\"value\":\"web:2\"}]", JSON)).isTrue();
        assertThat(patch.changesImageOrLimits("spec:\n  template:\n    spec:\n      containers:\n      - name: app\n"
                + "        resources:\n          limits:\n            memory: 1Gi\n", JSON)).as("server-side apply YAML")
                .isTrue();
        assertThat(patch.changesImageOrLimits("{\"metadata\":{\"annotations\":{\"note\":\"image is fine\"}}}", JSON))
                .isFalse();

        KubectlCall node = KubectlCall.parse("PATCH", "/api/v1/nodes/n1", null);
        assertThat(node.cordons("{\"spec\":{\"unschedulable\":true}}", JSON)).isTrue();
        assertThat(node.cordons("{\"spec\":{\"unschedulable\":false}}", JSON)).isFalse();
        assertThat(node.cordons("[{\"op\":\"add\",\"path\":\"/spec/unschedulable\",\"value\":true}]", JSON)).isTrue();
    }
}
