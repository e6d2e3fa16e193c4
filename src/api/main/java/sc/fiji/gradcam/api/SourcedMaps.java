package sc.fiji.gradcam.api;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The image-size maps of an {@link Explanation}, computed from their {@link MapSource}s when asked for: a map of at
 * most {@value #HELD_VALUES} values is computed once and held, a larger one is computed anew by each {@link #get}
 * (hold on to it, or read its {@link #source} band by band as the writers do). Unmodifiable; keys in the order given.
 */
public final class SourcedMaps extends AbstractMap<Method, MapImage> {

    /** Maps up to this many values (a 4096 × 4096 single-channel map) are held once computed. */
    public static final long HELD_VALUES = 1L << 24;

    private final Map<Method, MapSource> sources;
    private final Map<Method, MapImage> held = Collections.synchronizedMap(new HashMap<>());

    public SourcedMaps(Map<Method, MapSource> sources) {
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
    }

    /** The method's map as a source, or null. */
    public MapSource source(Method m) {
        return sources.get(m);
    }

    public Map<Method, MapSource> sources() {
        return sources;
    }

    @Override
    public boolean containsKey(Object key) {
        return sources.containsKey(key);
    }

    @Override
    public Set<Method> keySet() {
        return sources.keySet();
    }

    @Override
    public int size() {
        return sources.size();
    }

    @Override
    public MapImage get(Object key) {
        MapSource s = sources.get(key);
        if (s == null) {
            return null;
        }
        if ((long) s.width() * s.height() * s.channels() > HELD_VALUES) {
            return s.image();
        }
        return held.computeIfAbsent((Method) key, k -> s.image());
    }

    @Override
    public Set<Entry<Method, MapImage>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<Method, MapImage>> iterator() {
                Iterator<Method> keys = sources.keySet().iterator();
                return new Iterator<>() {
                    @Override
                    public boolean hasNext() {
                        return keys.hasNext();
                    }

                    @Override
                    public Entry<Method, MapImage> next() {
                        Method m = keys.next();
                        return new SimpleImmutableEntry<>(m, get(m));
                    }
                };
            }

            @Override
            public int size() {
                return sources.size();
            }
        };
    }
}
