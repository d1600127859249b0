package dev.jtorch.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks one pickle's opcodes without building its values: which globals it names, where, and how
 * each is used (called by REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ, or handed state by BUILD,
 * which runs a class's {@code __setstate__}). The stack holds only what that needs to know:
 * strings (STACK_GLOBAL takes its names from them, also through the memo), globals, what a
 * call of a global returned, tuples of those, and bytes (a legacy file pickled inside, for
 * {@code torch.storage._load_from_bytes}); everything else is an opaque placeholder. Nothing is
 * allocated in proportion to a length field: strings and bytes are views of the input, read
 * only when a name or a nested file needs them.
 */
final class PickleScanner {
    /** How a global is used: the opcode and its byte offset. */
    record Use(String opcode, long offset) {}

    /** Everything one global is named for in a pickle, from its first mention on. */
    static final class Mention {
        final PyGlobal global;
        final long firstOffset;
        final List<Use> uses = new ArrayList<>();
        /**
         * For torch.storage._load_from_bytes: whether it was used other than as a REDUCE on literal
         * bytes (which the scan follows into the nested file). Any other use hides a file the scan
         * cannot read, so the global is then as dangerous as torch.load itself.
         */
        boolean unfollowed;
        Mention(PyGlobal global, long firstOffset) { this.global = global; this.firstOffset = firstOffset; }
    }

    /** The result: mentions in first-seen order, bytes handed to _load_from_bytes, and where the pickle ended. */
    record Result(List<Mention> mentions, List<MemorySegment> embeddedFiles, long end, boolean legacyMagic) {}

    private sealed interface Sym permits Str, Bytes, Global, Made, Tuple, Num, Opaque, Mark {}
    /** A string: a slice of UTF-8 in the input, or (text opcodes, decoded) the text itself. */
    private record Str(long at, int length, String decoded) implements Sym {}
    private record Bytes(MemorySegment content) implements Sym {}
    private record Global(PyGlobal global) implements Sym {}
    /** What a call of (or BUILD on) a global produced. */
    private record Made(PyGlobal by) implements Sym {}
    private record Tuple(List<Sym> items) implements Sym {}
    private record Num(BigInteger value) implements Sym {}
    private enum Opaque implements Sym { VALUE }
    private enum Mark implements Sym { MARK }

    static final PyGlobal LOAD_FROM_BYTES = new PyGlobal("torch.storage", "_load_from_bytes");
    private static final PyGlobal CODECS_ENCODE = new PyGlobal("_codecs", "encode");
    /** Most values the scan keeps on its stack, in its memo, or as distinct globals: a hostile pickle cannot make it grow past this. */
    private static final int MAX_ENTRIES = 1 << 20;

    private final MemorySegment data;
    private final long base;
    private final String where;
    private long pos;
    private long opStart;
    private final List<Sym> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Sym> memo = new HashMap<>();
    private final Map<String, Mention> mentions = new LinkedHashMap<>();
    private final List<MemorySegment> embedded = new ArrayList<>();

    /**
     * @param data  the bytes holding the pickle, from {@code start} (a mapped file, a zip member)
     * @param base  added to every offset reported, to make it the offset in the file or member
     * @param where the file and entry, for errors
     */
    private PickleScanner(MemorySegment data, long start, long base, String where) {
        this.data = data;
        this.pos = start;
        this.base = base;
        this.where = where;
    }

    /** Scans the pickle at {@code data[start..]} up to and including STOP. */
    static Result scan(MemorySegment data, long start, long base, String where) throws CheckpointException {
        PickleScanner s = new PickleScanner(data, start, base, where);
        try {
            return s.run();
        } catch (IndexOutOfBoundsException e) {
            throw s.error("truncated or malformed pickle (an opcode reads past the end or past its MARK)");
        } catch (ClassCastException | IllegalStateException e) {
            throw s.error("malformed pickle: " + e.getMessage());
        }
    }

    private CheckpointException error(String message) {
        return new CheckpointException(where, null, base + opStart, message);
    }

    private Result run() throws CheckpointException {
        while (true) {
            opStart = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> u8(); // PROTO
                case 0x95 -> skip(8); // FRAME: a length hint, the content follows inline
                case 0x2e -> { // STOP: Python returns the top of the stack, whatever lies below it
                    boolean magic = !stack.isEmpty() && stack.getLast() instanceof Num n
                            && n.value().equals(LegacyCheckpoint.MAGIC);
                    return new Result(List.copyOf(mentions.values()), embedded, pos, magic);
                }
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 0x71 -> memoPut(u8()); // BINPUT
                case 0x72 -> memoPut(u32()); // LONG_BINPUT
                case 0x70 -> memoPut(decimal(line())); // PUT
                case 0x68 -> push(memoGet(u8())); // BINGET
                case 0x6a -> push(memoGet(u32())); // LONG_BINGET
                case 0x67 -> push(memoGet(decimal(line()))); // GET
                case 0x28 -> { // MARK
                    marks.add(stack.size());
                    push(Mark.MARK);
                }
                case 0x30 -> pop(); // POP (also of a MARK)
                case 0x31 -> popMark(); // POP_MARK
                case 0x32 -> push(peek()); // DUP
                case 0x4e, 0x88, 0x89 -> push(Opaque.VALUE); // NONE, NEWTRUE, NEWFALSE
                case 0x4a -> { skip(4); push(Opaque.VALUE); } // BININT
                case 0x4b -> { skip(1); push(Opaque.VALUE); } // BININT1
                case 0x4d -> { skip(2); push(Opaque.VALUE); } // BININT2
                case 0x47 -> { skip(8); push(Opaque.VALUE); } // BINFLOAT
                case 0x8a -> push(number(u8())); // LONG1 (the legacy format's magic number is one)
                case 0x8b -> push(number((int) length(i32()))); // LONG4
                case 0x49, 0x4c -> push(textNumber(line())); // INT, LONG (the magic number can be written so too)
                case 0x46 -> { line(); push(Opaque.VALUE); } // FLOAT
                case 0x8c, 0x55 -> push(str(u8())); // SHORT_BINUNICODE, SHORT_BINSTRING
                case 0x58 -> push(str(strLength(u32()))); // BINUNICODE
                case 0x54 -> push(str(strLength(i32()))); // BINSTRING
                case 0x8d -> push(str(strLength(i64()))); // BINUNICODE8
                case 0x56, 0x53 -> { // UNICODE, STRING: decoded as Python decodes them (escapes included)
                    String s = line();
                    try {
                        push(new Str(-1, 0, op == 0x56 ? PyText.rawUnicodeEscape(s) : PyText.stringLiteral(s)));
                    } catch (IllegalArgumentException e) {
                        throw error("bad " + (op == 0x56 ? "UNICODE" : "STRING") + " argument: " + e.getMessage());
                    }
                }
                case 0x43 -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x42 -> push(bytes(length(u32()))); // BINBYTES
                case 0x8e, 0x96 -> push(bytes(length(i64()))); // BINBYTES8, BYTEARRAY8
                case 0x97 -> push(Opaque.VALUE); // NEXT_BUFFER
                case 0x98 -> { } // READONLY_BUFFER
                case 0x7d, 0x5d, 0x8f -> push(Opaque.VALUE); // EMPTY_DICT, EMPTY_LIST, EMPTY_SET
                case 0x29 -> push(new Tuple(List.of())); // EMPTY_TUPLE
                case 0x64, 0x6c, 0x91 -> { popMark(); push(Opaque.VALUE); } // DICT, LIST, FROZENSET
                case 0x74 -> push(new Tuple(popMark())); // TUPLE
                case 0x85 -> push(new Tuple(popN(1))); // TUPLE1
                case 0x86 -> push(new Tuple(popN(2))); // TUPLE2
                case 0x87 -> push(new Tuple(popN(3))); // TUPLE3
                case 0x61 -> pop(); // APPEND
                case 0x65, 0x75, 0x90 -> popMark(); // APPENDS, SETITEMS, ADDITEMS
                case 0x73 -> popN(2); // SETITEM
                case 0x50 -> { line(); push(Opaque.VALUE); } // PERSID
                case 0x51 -> { pop(); push(Opaque.VALUE); } // BINPERSID
                case 0x82 -> extension(u8()); // EXT1
                case 0x83 -> extension(u8() | u8() << 8); // EXT2
                case 0x84 -> extension(i32()); // EXT4
                case 0x63 -> { // GLOBAL
                    String module = line(), name = line();
                    push(global(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Sym name = pop(), module = pop();
                    if (!(module instanceof Str m) || !(name instanceof Str n)) {
                        throw error("STACK_GLOBAL needs two strings on the stack");
                    }
                    push(global(text(m), text(n)));
                }
                case 0x69 -> { // INST: module and name inline, arguments since the MARK
                    String module = line(), name = line();
                    Global g = global(module, name);
                    popMark();
                    push(called(g, "INST"));
                }
                case 0x6f -> { // OBJ: the class is the first item after the MARK
                    List<Sym> items = popMark();
                    if (items.isEmpty()) throw error("OBJ without a class");
                    push(called(items.get(0), "OBJ"));
                }
                case 0x52 -> { // REDUCE
                    Sym args = pop(), f = popCallee();
                    if (f instanceof Global g && g.global().equals(LOAD_FROM_BYTES)) {
                        if (args instanceof Tuple t && t.items().size() == 1 && t.items().get(0) instanceof Bytes b) {
                            embedded.add(b.content());
                        } else {
                            mentions.get(g.global().fullName()).unfollowed = true;
                        }
                    }
                    // _codecs.encode(text, 'latin1') is how protocol 2 writes bytes: keep them as bytes.
                    if (f instanceof Global g && g.global().equals(CODECS_ENCODE) && args instanceof Tuple t
                            && t.items().size() == 2 && t.items().get(0) instanceof Str text && t.items().get(1) instanceof Str enc) {
                        called(f, "REDUCE");
                        push(encoded(text(text), text(enc)));
                    } else {
                        push(called(f, "REDUCE"));
                    }
                }
                case 0x81 -> { // NEWOBJ
                    pop();
                    push(called(popCallee(), "NEWOBJ"));
                }
                case 0x92 -> { // NEWOBJ_EX
                    popN(2);
                    push(called(popCallee(), "NEWOBJ_EX"));
                }
                case 0x62 -> { // BUILD: state handed to the object's __setstate__ (or its __dict__)
                    pop();
                    Sym target = peek();
                    if (target instanceof Made m) use(m.by(), "BUILD");
                    else if (target instanceof Global g) use(g.global(), "BUILD");
                }
                default -> throw error(String.format("unknown pickle opcode 0x%02x", op));
            }
        }
    }

    private Global global(String module, String name) throws CheckpointException {
        PyGlobal g = new PyGlobal(Allowlist.python3Module(module), name);
        mention(g);
        return new Global(g);
    }

    private void mention(PyGlobal g) throws CheckpointException {
        if (!mentions.containsKey(g.fullName()) && mentions.size() >= MAX_ENTRIES) {
            throw error("more than " + MAX_ENTRIES + " distinct globals");
        }
        mentions.computeIfAbsent(g.fullName(), k -> new Mention(g, base + opStart));
    }

    /** {@code _codecs.encode(text, encoding)} as Python computes it, for the encodings pickles use. */
    private static Sym encoded(String text, String encoding) {
        String e = encoding.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        java.nio.charset.Charset cs = switch (e) {
            case "latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1" -> StandardCharsets.ISO_8859_1;
            case "utf-8", "utf8" -> StandardCharsets.UTF_8;
            case "ascii" -> StandardCharsets.US_ASCII;
            default -> null;
        };
        return cs == null ? Opaque.VALUE : new Bytes(MemorySegment.ofArray(text.getBytes(cs)));
    }

    /** The result of calling {@code f} with {@code opcode}; a call of a global is recorded against it. */
    private Sym called(Sym f, String opcode) {
        if (f instanceof Global g) {
            use(g.global(), opcode);
            // Only a REDUCE on literal bytes is followed into the nested file (see the REDUCE case).
            if (g.global().equals(LOAD_FROM_BYTES) && !opcode.equals("REDUCE")) mentions.get(g.global().fullName()).unfollowed = true;
            return new Made(g.global());
        }
        if (f instanceof Made m) { // calling what a call returned (e.g. getattr(os, 'system')(...))
            use(m.by(), opcode + " of its result");
            return new Made(m.by());
        }
        return Opaque.VALUE;
    }

    private void use(PyGlobal g, String opcode) {
        Mention m = mentions.get(g.fullName());
        if (m.uses.size() < 16) m.uses.add(new Use(opcode, base + opStart)); // enough to show how it is used
    }

    /** copyreg's extension registry: empty unless the loading program fills it, so the global is unknown. */
    private void extension(int code) throws CheckpointException {
        PyGlobal g = new PyGlobal("copyreg", "extension code " + code);
        mention(g);
        push(new Global(g));
    }

    // ---- reading -------------------------------------------------------------------------------

    private byte at(long i) {
        if (i >= data.byteSize()) throw new IndexOutOfBoundsException();
        return data.get(ValueLayout.JAVA_BYTE, i);
    }

    private int u8() { return at(pos++) & 0xff; }

    private int i32() {
        int v = u8() | u8() << 8 | u8() << 16;
        return v | u8() << 24;
    }

    private long u32() { return i32() & 0xffffffffL; }

    private long i64() {
        long lo = u32(), hi = u32();
        return hi << 32 | lo;
    }

    private void skip(long n) {
        if (n > data.byteSize() - pos) throw new IndexOutOfBoundsException();
        pos += n;
    }

    /** A length field checked against what is left, before anything relies on it. */
    private long length(long n) throws CheckpointException {
        if (n < 0 || n > data.byteSize() - pos) throw error("a length of " + n + " runs past the end of the pickle");
        return n;
    }

    /** A string's length: also bounded by what a Java string can hold. */
    private int strLength(long n) throws CheckpointException {
        length(n);
        if (n > Integer.MAX_VALUE - 16) throw error("a string of " + n + " bytes");
        return (int) n;
    }

    private String line() throws CheckpointException {
        long start = pos;
        while (pos < data.byteSize() && data.get(ValueLayout.JAVA_BYTE, pos) != '\n') pos++;
        if (pos >= data.byteSize()) throw error("a text argument without its newline");
        if (pos - start > Integer.MAX_VALUE - 16) throw error("a text argument of " + (pos - start) + " bytes");
        String s = new String(data.asSlice(start, pos - start).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private long decimal(String s) throws CheckpointException {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            throw error("bad memo index " + Values.repr(s));
        }
    }

    private Str str(int n) {
        Str s = new Str(pos, n, null);
        skip(n);
        return s;
    }

    private Bytes bytes(long n) {
        Bytes b = new Bytes(data.asSlice(pos, n));
        skip(n);
        return b;
    }

    /** INT or LONG text: a number only matters here as the legacy magic; True/False ("01"/"00") are values. */
    private Sym textNumber(String s) throws CheckpointException {
        String t = s.strip();
        if (t.endsWith("L")) t = t.substring(0, t.length() - 1);
        if (t.length() > 5000) throw error("integer literal too long");
        try {
            return new Num(new BigInteger(t));
        } catch (NumberFormatException e) {
            throw error("bad integer " + Values.repr(s));
        }
    }

    private Num number(int n) {
        skip(n);
        if (n > 16) return new Num(BigInteger.ZERO); // only the 10-byte magic number matters here
        byte[] be = new byte[n + 1]; // little-endian two's complement, reversed for BigInteger
        for (int i = 0; i < n; i++) be[n - i] = at(pos - n + i);
        if (n > 0 && at(pos - 1) < 0) be[0] = -1;
        return new Num(new BigInteger(be));
    }

    private String text(Str s) {
        if (s.decoded() != null) return s.decoded();
        return new String(data.asSlice(s.at(), s.length()).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    // ---- stack -------------------------------------------------------------------------------

    private void push(Sym s) throws CheckpointException {
        if (stack.size() >= MAX_ENTRIES) throw error("more than " + MAX_ENTRIES + " values on the stack");
        stack.add(s);
    }

    /** Pops a value that is consumed: passed on as data, where the scan can no longer follow it. */
    private Sym pop() throws CheckpointException {
        Sym s = popCallee();
        consumed(s);
        return s;
    }

    /** Pops the callable of a call, which {@link #called} records. */
    private Sym popCallee() throws CheckpointException {
        if (stack.isEmpty()) throw error("pop from an empty stack");
        Sym s = stack.removeLast();
        if (s == Mark.MARK) marks.removeLast();
        return s;
    }

    /** _load_from_bytes handed on as a value (to another call, into a container) is a nested load the scan cannot follow. */
    private void consumed(Sym s) {
        if (s instanceof Global g && g.global().equals(LOAD_FROM_BYTES)) mentions.get(g.global().fullName()).unfollowed = true;
        else if (s instanceof Tuple t) for (Sym item : t.items()) consumed(item);
    }

    private void memoPut(long index) throws CheckpointException {
        if (!memo.containsKey(index) && memo.size() >= MAX_ENTRIES) throw error("more than " + MAX_ENTRIES + " memo entries");
        memo.put(index, peek());
    }

    private Sym peek() throws CheckpointException {
        if (stack.isEmpty()) throw error("the stack is empty");
        return stack.getLast();
    }

    private List<Sym> popN(int n) throws CheckpointException {
        if (stack.size() < n) throw error("needs " + n + " values on the stack");
        List<Sym> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        for (int i = 0; i < n; i++) stack.removeLast();
        if (items.contains(Mark.MARK)) throw error("an opcode takes a MARK as a value");
        for (Sym s : items) consumed(s);
        return items;
    }

    private List<Sym> popMark() throws CheckpointException {
        if (marks.isEmpty()) throw error("no MARK to pop to");
        int at = marks.removeLast();
        List<Sym> items = new ArrayList<>(stack.subList(at + 1, stack.size()));
        while (stack.size() > at) stack.removeLast();
        for (Sym s : items) consumed(s);
        return items;
    }

    private Sym memoGet(long index) throws CheckpointException {
        Sym s = memo.get(index);
        if (s == null) throw error("memo entry " + index + " was never stored");
        return s;
    }
}
