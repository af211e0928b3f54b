package dev.baton.client.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The YAML reader of the CLI config, in a class of its own: jackson-dataformat-yaml is an
 * optional dependency of the client library, loaded only when a config file exists.
 */
final class Yaml {
    private static final YAMLMapper MAPPER = new YAMLMapper();

    private Yaml() {
    }

    static JsonNode read(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }
}
