package sc.fiji.gradcam.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** JSON output: one pretty-printed object, NaN-safe. */
final class Json {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    private static final Gson LINE = new GsonBuilder().serializeNulls().serializeSpecialFloatingPointValues()
            .disableHtmlEscaping().create();

    private Json() {}

    /** One line of JSON (for JSON-lines files). */
    static String line(Object o) {
        return LINE.toJson(o);
    }

    /** A JSON object read back as maps, lists, strings, numbers (doubles) and booleans. */
    @SuppressWarnings("unchecked")
    static java.util.Map<String, Object> read(String json) {
        return LINE.fromJson(json, java.util.LinkedHashMap.class);
    }

    static String write(Object o) {
        return GSON.toJson(o);
    }
}
