package sc.fiji.gradcam.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GroupSplitTest {

    private static final Set<String> GROUPS = new TreeSet<>(IntStream.range(0, 23).mapToObj(i -> "slide" + i).toList());

    @Test
    void foldsAreDisjointSlicesAndFoldZeroIsTheHeldOutSet() {
        assertEquals(GroupSplit.heldOutGroups(GROUPS, 0.2, 5), GroupSplit.foldGroups(GROUPS, 0.2, 5, 0));
        Set<String> seen = new HashSet<>();
        for (int fold = 0; fold < 4; fold++) {
            Set<String> f = GroupSplit.foldGroups(GROUPS, 0.2, 5, fold);
            assertEquals(5, f.size());
            for (String g : f) {
                assertTrue(seen.add(g), g + " is in two folds");
            }
        }
        assertEquals(20, seen.size());
        assertTrue(GROUPS.containsAll(seen));
    }

    @Test
    void aFoldBeyondTheGroupsIsRefusedWithTheCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GroupSplit.foldGroups(GROUPS, 0.2, 5, 4));
        assertTrue(e.getMessage().contains("23 groups") && e.getMessage().contains("4 folds"), e.getMessage());
    }

    @Test
    void selectKeepsOrderAndSide() {
        List<String> items = List.of("a_1", "b_1", "a_2", "c_1");
        assertEquals(List.of("a_1", "a_2"), GroupSplit.select(items, s -> s.substring(0, 1), Set.of("a"), true));
        assertEquals(List.of("b_1", "c_1"), GroupSplit.select(items, s -> s.substring(0, 1), Set.of("a"), false));
    }
}
