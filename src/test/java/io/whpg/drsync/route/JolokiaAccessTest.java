package io.whpg.drsync.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.whpg.drsync.app.DrSyncRuntime;
import io.whpg.drsync.config.ConfigLoader;
import io.whpg.drsync.config.DrSyncConfig;
import io.whpg.drsync.ops.ObserveAccess;
import io.whpg.drsync.state.Json;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jolokia as an attacker on the management network would try it, over real HTTP: the shipped policy
 * (config/jolokia-access.xml) lets hawtio read everything and start/stop/suspend/resume the tool's own
 * routes, and refuses heap dumps, VM options, JFR, attribute writes, and any operation elsewhere. With
 * WHPG_OBSERVE_BASIC_AUTH set, Jolokia also wants the password.
 */
class JolokiaAccessTest {
    private static final String USER = "operator";
    private static final String PASSWORD = "s3cret pass";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static DrSyncRuntime runtime;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        DrSyncConfig cfg = ConfigLoader.parse(RuntimeJmxTest.configWithMissingDataDir(dir), "test config");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        runtime = new DrSyncRuntime(cfg, DrSyncRuntime.Role.DR, false, null)
                .observeOn("127.0.0.1", port, Map.of(ObserveAccess.ENV, USER + ":" + PASSWORD));
        runtime.runOnce(Map.of());
        base = "http://127.0.0.1:" + port + DrSyncRuntime.JOLOKIA_PATH;
    }

    @AfterAll
    static void stop() {
        runtime.close();
    }

    @Test
    void readingIsAllowedButOnlyWithThePassword() throws Exception {
        HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/version")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode(), anonymous.body());
        HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/version"))
                .header("Authorization", basic(USER + ":nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        JsonNode read = post("""
                {"type":"read","mbean":"java.lang:type=Memory","attribute":"Verbose"}""");
        assertEquals(200, read.path("status").asInt(), read.toString());
    }

    @Test
    void aHeapDumpIsRefusedAndNoFileAppears() throws Exception {
        Path heap = dir.resolve("heap.hprof");
        JsonNode r = post("""
                {"type":"exec","mbean":"com.sun.management:type=HotSpotDiagnostic","operation":"dumpHeap",
                 "arguments":["%s", true]}""".formatted(heap));
        assertRefused(r);
        assertFalse(Files.exists(heap));
    }

    @Test
    void vmOptionsJfrAndDiagnosticCommandsAreRefused() throws Exception {
        assertRefused(post("""
                {"type":"exec","mbean":"com.sun.management:type=HotSpotDiagnostic","operation":"setVMOption",
                 "arguments":["HeapDumpOnOutOfMemoryError","true"]}"""));
        assertRefused(post("""
                {"type":"exec","mbean":"com.sun.management:type=DiagnosticCommand","operation":"jfrStart",
                 "arguments":[["name=x"]]}"""));
        assertRefused(post("""
                {"type":"exec","mbean":"jdk.management.jfr:type=FlightRecorder","operation":"newRecording"}"""));
    }

    @Test
    void anAttributeWriteIsRefusedAndTheValueStays() throws Exception {
        boolean before = ManagementFactory.getMemoryMXBean().isVerbose();
        assertRefused(post("""
                {"type":"write","mbean":"java.lang:type=Memory","attribute":"Verbose","value":%s}""".formatted(!before)));
        assertEquals(before, ManagementFactory.getMemoryMXBean().isVerbose());
    }

    @Test
    void ourTimerRouteMayBeStartedAndStoppedButNothingElse() throws Exception {
        String timer = "org.apache.camel:context=whpg-dr-sync-dr,type=routes,name=\\\"dr-consume-timer\\\"";
        JsonNode started = post("{\"type\":\"exec\",\"mbean\":\"" + timer + "\",\"operation\":\"start()\"}");
        assertEquals(200, started.path("status").asInt(), started.toString());
        assertEquals(ServiceStatus.Started, runtime.camelContext().getRouteController().getRouteStatus("dr-consume-timer"));
        JsonNode stopped = post("{\"type\":\"exec\",\"mbean\":\"" + timer + "\",\"operation\":\"stop()\"}");
        assertEquals(200, stopped.path("status").asInt(), stopped.toString());
        assertEquals(ServiceStatus.Stopped, runtime.camelContext().getRouteController().getRouteStatus("dr-consume-timer"));

        // the archive route is not one an operator stops: the policy allows only its read-only dumps
        assertRefused(post("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=whpg-dr-sync-dr,type=routes,"
                + "name=\\\"archive-local\\\"\",\"operation\":\"stop()\"}"));
        assertEquals(ServiceStatus.Started, runtime.camelContext().getRouteController().getRouteStatus("archive-local"));
        // nor the whole Camel context
        assertRefused(post("{\"type\":\"exec\",\"mbean\":\"org.apache.camel:context=whpg-dr-sync-dr,type=context,"
                + "name=\\\"whpg-dr-sync-dr\\\"\",\"operation\":\"stop()\"}"));
        assertTrue(runtime.camelContext().isStarted());
    }

    @Test
    void aMalformedCredentialIsRefusedInOneLine() {
        var server = new org.apache.camel.main.HttpManagementServerConfigurationProperties(null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ObserveAccess.configure(server, "/observe/jolokia", Map.of(ObserveAccess.ENV, "no-colon")));
        assertTrue(e.getMessage().startsWith(ObserveAccess.ENV + ": expected USER:PASSWORD"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> ObserveAccess.configure(server, "/observe/jolokia", Map.of(ObserveAccess.ENV, "u:a,b")));
        assertFalse(server.isAuthenticationEnabled());
    }

    private static void assertRefused(JsonNode r) {
        assertEquals(403, r.path("status").asInt(), r.toString());
    }

    private static JsonNode post(String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/"))
                .header("Authorization", basic(USER + ":" + PASSWORD)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return Json.MAPPER.readTree(r.body());
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }
}
