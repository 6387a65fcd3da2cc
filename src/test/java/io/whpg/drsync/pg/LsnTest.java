package io.whpg.drsync.pg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LsnTest {

    @ParameterizedTest
    @CsvSource({
        "0/0, 0/0, 0",
        "0/1, 0/1, 1",
        "9/E40000C8, 9/E40000C8, 0x9E40000C8",
        "9/e40000c8, 9/E40000C8, 0x9E40000C8",
        "00000001/0000000A, 1/A, 0x10000000A",
        "0/FFFFFFFF, 0/FFFFFFFF, 0xFFFFFFFF",
        "1/0, 1/0, 0x100000000",
        "FF/FFFFFFFF, FF/FFFFFFFF, 0xFFFFFFFFFF",
    })
    void parsesAndPrintsLikePostgres(String text, String printed, String value) {
        Lsn lsn = Lsn.parse(text);
        assertEquals(Long.decode(value), lsn.value());
        assertEquals(printed, lsn.toString());
        assertEquals(lsn, Lsn.parse(printed));
    }

    @Test
    void valuesAtAndAboveSignBitKeepTheirUnsignedSpelling() {
        assertEquals(Long.MIN_VALUE, Lsn.parse("80000000/0").value());
        assertEquals(-1L, Lsn.parse("FFFFFFFF/FFFFFFFF").value());
        assertEquals("FFFFFFFF/FFFFFFFF", Lsn.of(-1L).toString());
        assertEquals("80000000/1", Lsn.of(Long.MIN_VALUE + 1).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0", "/", "0/", "/0", "0/XYZ", "G/0", "123456789/0", "0/123456789", " 0/1", "0/1 ",
        "0x1/0", "-1/0", "+1/0", "1//0", "1/0/0", "1-0", "0/-1", "１/0"})
    void rejectsMalformedTextQuotingIt(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lsn.parse(text));
        assertEquals("malformed LSN \"" + text + "\": expected X/Y in hex", e.getMessage());
    }

    @Test
    void malformedMessagesStayOnOneLine() {
        assertEquals("malformed LSN \"0/1\\nDROP\": expected X/Y in hex",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse("0/1\nDROP")).getMessage());
        assertEquals("malformed LSN null: expected X/Y in hex",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse(null)).getMessage());
    }

    @Test
    void comparesUnsignedAcrossTheSignBit() {
        Lsn belowSignBit = Lsn.parse("7FFFFFFF/FFFFFFFF");
        Lsn signBit = Lsn.parse("80000000/0");
        Lsn top = Lsn.parse("FFFFFFFF/FFFFFFFF");
        assertTrue(signBit.isAfter(belowSignBit));
        assertTrue(belowSignBit.isBefore(signBit));
        assertTrue(top.isAfter(signBit));
        assertTrue(top.isAfter(Lsn.ZERO));
        assertTrue(Lsn.parse("80000000/1").compareTo(signBit) > 0);
        assertEquals(0, signBit.compareTo(Lsn.parse("80000000/00000000")));
        assertFalse(signBit.isAfter(signBit));
        assertFalse(signBit.isBefore(signBit));

        List<Lsn> sorted = new ArrayList<>(List.of(top, signBit, Lsn.ZERO, belowSignBit, Lsn.parse("1/0")));
        sorted.sort(null);
        assertEquals(List.of(Lsn.ZERO, Lsn.parse("1/0"), belowSignBit, signBit, top), sorted);
    }

    @Test
    void comparesAcrossTheFourGigabyteRollover() {
        assertTrue(Lsn.parse("1/0").isAfter(Lsn.parse("0/FFFFFFFF")));
        assertTrue(Lsn.parse("0/FFFFFFFF").isBefore(Lsn.parse("1/0")));
        assertTrue(Lsn.parse("1/1").isAfter(Lsn.parse("0/FFFFFFFF")));
    }

    @Test
    void plusCrossesTheRolloverAndRefusesToWrap() {
        assertEquals(Lsn.parse("1/0"), Lsn.parse("0/FFFFFFFF").plus(1));
        assertEquals(Lsn.parse("80000000/0"), Lsn.parse("7FFFFFFF/FFFFFFFF").plus(1));
        assertEquals(Lsn.parse("0/3016120"), Lsn.parse("0/3016120").plus(0));
        assertEquals(Lsn.parse("FFFFFFFF/FFFFFFFF"), Lsn.parse("FFFFFFFF/FFFFFFFE").plus(1));
        assertEquals("LSN FFFFFFFF/FFFFFFFF plus 1 bytes is past FFFFFFFF/FFFFFFFF",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse("FFFFFFFF/FFFFFFFF").plus(1)).getMessage());
        assertEquals(Lsn.parse("FFFFFFFF/FFFFFFFF"), Lsn.parse("80000000/0").plus(Long.MAX_VALUE));
        assertEquals("LSN 80000000/1 plus 9223372036854775807 bytes is past FFFFFFFF/FFFFFFFF",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse("80000000/1").plus(Long.MAX_VALUE)).getMessage());
        assertEquals("cannot add -1 bytes to LSN 1/0: must be >= 0",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse("1/0").plus(-1)).getMessage());
    }

    @Test
    void minusCountsBytesBetweenAndRefusesNegatives() {
        assertEquals(1, Lsn.parse("1/0").minus(Lsn.parse("0/FFFFFFFF")));
        assertEquals(0xD8, Lsn.parse("0/4000100").minus(Lsn.parse("0/4000028")));
        assertEquals(0, Lsn.parse("9/E40000C8").minus(Lsn.parse("9/E40000C8")));
        assertEquals(1, Lsn.parse("80000000/0").minus(Lsn.parse("7FFFFFFF/FFFFFFFF")));
        assertEquals(Long.MAX_VALUE, Lsn.parse("FFFFFFFF/FFFFFFFF").minus(Lsn.parse("80000000/0")));
        assertEquals("LSN 0/FFFFFFFF is before 1/0: no bytes between them",
                assertThrows(IllegalArgumentException.class, () -> Lsn.parse("0/FFFFFFFF").minus(Lsn.parse("1/0"))).getMessage());
        assertEquals("LSN 7FFFFFFF/FFFFFFFF is before 80000000/0: no bytes between them",
                assertThrows(IllegalArgumentException.class,
                        () -> Lsn.parse("7FFFFFFF/FFFFFFFF").minus(Lsn.parse("80000000/0"))).getMessage());
        assertEquals("bytes from 0/0 to FFFFFFFF/FFFFFFFF exceed 9223372036854775807",
                assertThrows(IllegalArgumentException.class,
                        () -> Lsn.parse("FFFFFFFF/FFFFFFFF").minus(Lsn.ZERO)).getMessage());
    }

    @Test
    void isAValue() {
        assertSame(Lsn.ZERO, Lsn.of(0));
        assertSame(Lsn.ZERO, Lsn.parse("0/0"));
        assertEquals("0/0", Lsn.ZERO.toString());
        assertEquals(Lsn.of(0x9E40000C8L), Lsn.parse("9/E40000C8"));
        assertEquals(Lsn.of(0x9E40000C8L).hashCode(), Lsn.parse("9/E40000C8").hashCode());
        assertNotEquals(Lsn.parse("9/E40000C8"), Lsn.parse("9/E40000C9"));
        assertNotEquals(Lsn.parse("1/0"), "1/0");
    }
}
