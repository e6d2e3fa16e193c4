package sc.fiji.gradcam.bioimageio;

import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.CoreSchema;
import sc.fiji.gradcam.api.ModelException;

/**
 * Safe YAML reading and typed access to the plain values it yields. snakeyaml-engine builds only {@link Map},
 * {@link List}, strings, numbers and booleans (never a Java type named by a tag); aliases are capped (no "billion
 * laughs"), duplicate keys refused, the text limited to {@value #MAX_CHARS} characters.
 */
final class Yaml {

    static final int MAX_CHARS = 4 << 20;

    private Yaml() {}

    /** The document's top-level mapping. */
    static Map<String, Object> load(String text, String where) {
        LoadSettings settings = LoadSettings.builder().setSchema(new CoreSchema()).setAllowDuplicateKeys(false)
                .setMaxAliasesForCollections(50).setAllowRecursiveKeys(false).setCodePointLimit(MAX_CHARS)
                .setLabel(where).build();
        Object doc;
        try {
            doc = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new ModelException(where + " is not valid YAML: " + oneLine(e.getMessage()) + ".",
                    "fix the description (bioimageio.spec's validator names the line), or download it again.", e);
        }
        return map(doc, where);
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").strip();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o, String where) {
        if (o instanceof Map<?, ?> m) {
            for (Object k : m.keySet()) {
                if (!(k instanceof String)) {
                    throw bad(where, "has a key that is not text (" + k + ")");
                }
            }
            return (Map<String, Object>) m;
        }
        throw bad(where, o == null ? "is empty" : "is not a mapping (it is " + describe(o) + ")");
    }

    /** A mapping, or an empty one when absent. */
    static Map<String, Object> optMap(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        return o == null ? Map.of() : map(o, where + "." + key);
    }

    static List<?> list(Object o, String where) {
        if (o instanceof List<?> l) {
            return l;
        }
        throw bad(where, o == null ? "is missing" : "is not a list (it is " + describe(o) + ")");
    }

    static List<?> optList(Map<String, Object> m, String key, String where) {
        Object o = m.get(key);
        return o == null ? List.of() : list(o, where + "." + key);
    }

    static String str(Map<String, Object> m, String key) {
        Object o = m.get(key);
        return o == null ? null : String.valueOf(o);
    }

    static String requireStr(Map<String, Object> m, String key, String where) {
        String s = str(m, key);
        if (s == null || s.isBlank()) {
            throw bad(where, "has no '" + key + "'");
        }
        return s;
    }

    /** A number (also one written as text, e.g. {@code "1e-6"} or {@code .inf}). */
    static double num(Object o, String where) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        if (o instanceof String s) {
            String t = s.strip().toLowerCase(java.util.Locale.ROOT);
            switch (t) {
                case ".inf", "+.inf", "inf" -> { return Double.POSITIVE_INFINITY; }
                case "-.inf", "-inf" -> { return Double.NEGATIVE_INFINITY; }
                case ".nan", "nan" -> { return Double.NaN; }
                default -> {
                    try {
                        return Double.parseDouble(t);
                    } catch (NumberFormatException e) {
                        // below
                    }
                }
            }
        }
        throw bad(where, o == null ? "is missing" : "is not a number (" + o + ")");
    }

    static double optNum(Map<String, Object> m, String key, double fallback, String where) {
        Object o = m.get(key);
        return o == null ? fallback : num(o, where + "." + key);
    }

    static long integer(Object o, String where) {
        double d = num(o, where);
        if (d != Math.rint(d) || Double.isInfinite(d)) {
            throw bad(where, "is not a whole number (" + o + ")");
        }
        return (long) d;
    }

    static ModelException bad(String where, String problem) {
        return new ModelException("The model description's " + where + " " + problem + ".",
                "fix the description (see the BioImage.IO model spec 0.4/0.5), or ask its authors for a valid one.");
    }

    private static String describe(Object o) {
        return o instanceof List ? "a list" : o instanceof Map ? "a mapping" : "'" + o + "'";
    }
}
