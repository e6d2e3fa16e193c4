package sc.fiji.gradcam.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** JSON output: one pretty-printed object, NaN-safe. */
final class Json {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls()
            .serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    private Json() {}

    static String write(Object o) {
        return GSON.toJson(o);
    }
}
