package sc.fiji.gradcam.training;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Deterministic train/validation split by group (slide prefix): the sorted groups are shuffled with
 * a fixed seed and the first {@code fraction} of them are held out. No group is on both sides.
 */
public final class GroupSplit {

    private GroupSplit() {}

    /** The held-out groups. */
    public static Set<String> heldOutGroups(Set<String> groups, double fraction, long seed) {
        List<String> sorted = new ArrayList<>(new TreeSet<>(groups));
        Collections.shuffle(sorted, new Random(seed));
        int n = (int) Math.round(sorted.size() * fraction);
        return new TreeSet<>(sorted.subList(0, n));
    }

    /** Items whose group is (or is not) in {@code groups}, in their original order. */
    public static <T> List<T> select(List<T> items, Function<T, String> groupOf, Set<String> groups, boolean inside) {
        List<T> out = new ArrayList<>();
        for (T item : items) {
            if (groups.contains(groupOf.apply(item)) == inside) {
                out.add(item);
            }
        }
        return out;
    }
}
