package dev.baton.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolution order of CLI.md for servers, agent, queue and token: the flag, then the
 * BATON_* variable, then the config file, then the default; and the config file's own rules.
 */
class SettingsTest {
    @TempDir
    Path home;

    private Settings resolve(TestEnvironment env, String... argv) {
        String[] line = new String[argv.length + 1];
        line[0] = "list";
        System.arraycopy(argv, 0, line, 1, argv.length);
        return Settings.resolve(Args.parse(line), env.environment());
    }

    private void defaultConfig(String yaml) throws IOException {
        Path file = home.resolve(".config/baton/cli.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
    }

    @Test
    void withNothingSetTheDefaultsApply() {
        Settings s = resolve(new TestEnvironment(home));
        assertEquals(List.of("127.0.0.1:7070"), s.servers());
        assertEquals("ada@box", s.agent());
        assertEquals("default", s.queue());
        assertNull(s.token());
        assertEquals(Duration.ofSeconds(10), s.timeout());
    }

    @Test
    void theConfigFileBeatsTheDefaults() throws IOException {
        defaultConfig("""
                # the CLI's own settings
                server: [10.0.0.1:7070, 10.0.0.2:7070]
                agent: agent:from-file
                queue: file-queue
                token: file-token
                """);
        Settings s = resolve(new TestEnvironment(home));
        assertEquals(List.of("10.0.0.1:7070", "10.0.0.2:7070"), s.servers());
        assertEquals("agent:from-file", s.agent());
        assertEquals("file-queue", s.queue());
        assertEquals("file-token", s.token());
    }

    @Test
    void theVariablesBeatTheConfigFile() throws IOException {
        defaultConfig("server: 10.0.0.1:7070\nagent: a\nqueue: q\ntoken: t\n");
        TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER", "h1:1,h2:2")
                .with("BATON_AGENT", "agent:env").with("BATON_QUEUE", "env-queue")
                .with("BATON_TOKEN", "env-token");
        Settings s = resolve(env);
        assertEquals(List.of("h1:1", "h2:2"), s.servers());
        assertEquals("BATON_SERVER", s.serversFrom());
        assertEquals("agent:env", s.agent());
        assertEquals("env-queue", s.queue());
        assertEquals("env-token", s.token());
    }

    @Test
    void theFlagsBeatEverything() throws IOException {
        defaultConfig("server: 10.0.0.1:7070\nagent: a\nqueue: q\ntoken: t\n");
        TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER", "h1:1")
                .with("BATON_AGENT", "agent:env").with("BATON_QUEUE", "env-queue")
                .with("BATON_TOKEN", "env-token");
        Settings s = resolve(env, "--server", "f:1", "--agent", "agent:flag", "-q", "flagq",
                "--token", "flag-token", "--timeout", "2s");
        assertEquals(List.of("f:1"), s.servers());
        assertEquals("--server", s.serversFrom());
        assertEquals("agent:flag", s.agent());
        assertEquals("flagq", s.queue());
        assertEquals("flag-token", s.token());
        assertEquals(Duration.ofSeconds(2), s.timeout());
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        TestEnvironment env = new TestEnvironment(home).with("BATON_QUEUE", "  ");
        assertEquals("default", resolve(env).queue());
    }

    @Test
    void batonConfigNamesTheFileInsteadOfTheDefaultOne() throws IOException {
        defaultConfig("queue: from-default-file\n");
        Path other = home.resolve("other.yaml");
        Files.writeString(other, "queue: from-other-file\n");
        TestEnvironment env = new TestEnvironment(home).with("BATON_CONFIG", other.toString());
        assertEquals("from-other-file", resolve(env).queue());
    }

    @Test
    void aMissingDefaultFileIsFineButAMissingNamedOneIsAMistake() {
        assertEquals("default", resolve(new TestEnvironment(home)).queue());
        Path missing = home.resolve("missing.yaml");
        TestEnvironment env = new TestEnvironment(home).with("BATON_CONFIG", missing.toString());
        UsageException e = assertThrows(UsageException.class, () -> resolve(env));
        assertEquals("BATON_CONFIG names " + missing + ", which does not exist", e.getMessage());
    }

    @Test
    void aMalformedConfigFileIsAUsageErrorNamingTheFile() throws IOException {
        Path file = home.resolve(".config/baton/cli.yaml");
        defaultConfig("server: [unclosed\n");
        UsageException bad = assertThrows(UsageException.class,
                () -> resolve(new TestEnvironment(home)));
        assertTrue(bad.getMessage().startsWith("the CLI config " + file + " is not valid YAML"),
                bad.getMessage());
        defaultConfig("servr: h:1\n");
        UsageException typo = assertThrows(UsageException.class,
                () -> resolve(new TestEnvironment(home)));
        assertEquals("the CLI config " + file + " has an unknown key \"servr\" (it takes server,"
                + " agent, queue, token)", typo.getMessage());
        defaultConfig("- just\n- a list\n");
        assertThrows(UsageException.class, () -> resolve(new TestEnvironment(home)));
        defaultConfig("");
        assertEquals("default", resolve(new TestEnvironment(home)).queue());
    }

    @Test
    void aServerThatIsNotHostAndPortIsAUsageErrorNamingItsSource() {
        UsageException flag = assertThrows(UsageException.class,
                () -> resolve(new TestEnvironment(home), "--server", "localhost"));
        assertEquals("\"localhost\" from --server is not HOST:PORT", flag.getMessage());
        TestEnvironment env = new TestEnvironment(home).with("BATON_SERVER", "h:1,h:99999");
        UsageException variable = assertThrows(UsageException.class, () -> resolve(env));
        assertEquals("\"h:99999\" from BATON_SERVER is not HOST:PORT", variable.getMessage());
        assertEquals(List.of("http://h:1", "[::1]:7070"), resolve(new TestEnvironment(home),
                "--server", "http://h:1, [::1]:7070").servers());
    }

    @Test
    void theDefaultAgentIsUserAtHostWithOnlyAgentNameCharacters() {
        assertEquals("ada@box", resolve(new TestEnvironment(home)).agent());
        TestEnvironment env = new TestEnvironment(home).with("USER", "Ada Lovelace");
        assertEquals("Ada_Lovelace@box", resolve(env).agent());
    }
}
