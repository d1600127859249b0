package dev.jtorch.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle interpreter (protocols 0 to 5) that builds values and never runs code. Globals are
 * names ({@link PyGlobal}) checked against an allowlist modelled on PyTorch's
 * {@code weights_only} unpickler; calls (REDUCE, NEWOBJ) of allowed globals become values
 * ({@link TensorRef}, {@link PyOrderedDict}, sets, bytes) or {@link PyObject} descriptions, see
 * {@link GlobalCalls}. The stack, the memo, MARK nesting and every length are bounded before
 * anything is allocated; any malformed input ends in {@link CheckpointException}.
 *
 * <p>Values: dict → {@link LinkedHashMap}, OrderedDict → {@link PyOrderedDict}, list →
 * {@link ArrayList}, tuple → {@link PyTuple}, set → {@link LinkedHashSet}, frozenset → an
 * unmodifiable set, str → String, int → Long (BigInteger beyond 64 bits), float → Double,
 * bool → Boolean, None → null, bytes and bytearray → byte[].
 */
public final class Unpickler {

    /** What a load may do beyond PyTorch's weights-only list, and the bounds it works under. */
    public static final class Options {
        final Set<PyGlobal> extraGlobals = new LinkedHashSet<>();
        boolean describeAnyClass;
        int maxDepth = 1000;
        int maxMemo = 1 << 22;
        int maxStack = 1 << 22;
        boolean verifyChecksums = true;
        long maxInflatedBytes = 1L << 30;

        public Options() {}

        /**
         * Allows one more global. Nothing is ever called: a call of it becomes a {@link PyObject}
         * description, a reference to it a {@link PyGlobal}. Use for files you trust whose extra
         * globals only name data (a numpy scalar, a user's config class).
         */
        public Options allowGlobal(String module, String name) {
            extraGlobals.add(new PyGlobal(module, name));
            return this;
        }

        /**
         * Lets any class be instantiated as a description (NEWOBJ), which whole pickled models of
         * user classes ({@code class Net(nn.Module)}) need; they come back as {@link PickledModule}.
         * Function calls (REDUCE) of unknown globals stay refused. torch.nn and torchvision module
         * classes are described without this option.
         */
        public Options describeModules(boolean on) {
            describeAnyClass = on;
            return this;
        }

        /** Bounds MARK nesting and the nesting of containers walked after loading (default 1000). */
        public Options maxDepth(int depth) { maxDepth = depth; return this; }

        /** Bounds the number of memo entries (default 4M). */
        public Options maxMemo(int entries) { maxMemo = entries; return this; }

        /** Checks the CRC-32 of every zip member read (default on). */
        public Options verifyChecksums(boolean on) { verifyChecksums = on; return this; }

        /** Largest size a compressed (DEFLATED) zip member may inflate to (default 1 GiB). */
        public Options maxInflatedBytes(long bytes) { maxInflatedBytes = bytes; return this; }
    }

    /** What the container supplies: persistent ids and storages embedded as legacy-format bytes. */
    interface Host {
        /** Resolves a BINPERSID/PERSID id to a {@link StorageRef} (or a module class in legacy files). */
        Object persistentLoad(Object pid, Unpickler at) throws CheckpointException;

        /** {@code torch.storage._load_from_bytes(b)}: a whole legacy-format file inside a plain pickle. */
        Object loadFromBytes(byte[] legacyFile, Unpickler at) throws CheckpointException;
    }

    private static final Object MARK_OBJ = new Object() {
        @Override public String toString() { return "MARK"; }
    };

    private final MemorySegment data;
    private final long start;
    private final long end;
    private final String file;
    private final String entry;
    final Options options;
    private final Host host;
    private final GlobalCalls calls;

    private long pos;
    private long opStart;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();

    Unpickler(MemorySegment data, long start, long end, String file, String entry, Options options, Host host) {
        this.data = data;
        this.start = start;
        this.end = end;
        this.file = file;
        this.entry = entry;
        this.options = options;
        this.host = host;
        this.calls = new GlobalCalls(this);
        this.pos = start;
    }

    /**
     * Interprets a standalone pickle held in memory (no tensors: persistent ids are refused;
     * tensors pickled by plain {@code pickle.dump} come back as {@link TensorRef} descriptions).
     * For files use {@link Checkpoints}.
     */
    public static Object parse(byte[] pickle, Options options) throws CheckpointException {
        Host none = new Host() {
            @Override
            public Object persistentLoad(Object pid, Unpickler at) throws CheckpointException {
                throw at.error("persistent id " + Values.repr(pid) + " in a standalone pickle");
            }

            @Override
            public Object loadFromBytes(byte[] legacyFile, Unpickler at) throws CheckpointException {
                throw at.error("embedded storages need a file: use Checkpoints.load");
            }
        };
        MemorySegment seg = MemorySegment.ofArray(pickle);
        return new Unpickler(seg, 0, pickle.length, null, "pickle", options, none).load();
    }

    /** Byte position after the STOP opcode (legacy files hold several pickles in a row). */
    long position() { return pos; }

    /** An error at the current opcode, naming file, entry and offset. */
    CheckpointException error(String message) {
        return new CheckpointException(file, entry, opStart - start, message);
    }

    String file() { return file; }

    String entry() { return entry; }

    Object hostLoadFromBytes(byte[] legacyFile) throws CheckpointException {
        return host.loadFromBytes(legacyFile, this);
    }

    /** Interprets one pickle, up to and including STOP. */
    Object load() throws CheckpointException {
        try {
            return run();
        } catch (CheckpointException e) {
            throw e;
        } catch (StackOverflowError e) {
            // Only reachable through hashing a deeply nested key; every walk of ours is bounded.
            throw error("value nested too deeply");
        } catch (RuntimeException e) {
            throw new CheckpointException(file, entry, opStart - start, "malformed pickle: " + e, e);
        }
    }

    private Object run() throws CheckpointException {
        while (true) {
            opStart = pos;
            int op = u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int p = u8();
                    if (p > 5) throw error("unsupported pickle protocol " + p);
                }
                case 0x95 -> { // FRAME: a length hint; the content follows inline
                    long n = i64();
                    if (n < 0 || n > end - pos) throw error("frame of " + n + " bytes runs past the end");
                }
                case 0x2e -> { // STOP
                    if (!marks.isEmpty()) throw error("STOP inside an open MARK");
                    if (stack.size() != 1) throw error("STOP with " + stack.size() + " values on the stack");
                    Object v = stack.get(0);
                    if (v == MARK_OBJ) throw error("STOP on a MARK");
                    return v;
                }
                // ---- memo and stack -------------------------------------------------------
                case 0x94 -> memoPut(memo.size(), peek()); // MEMOIZE
                case 0x71 -> memoPut(u8(), peek()); // BINPUT
                case 0x72 -> memoPut(u32(), peek()); // LONG_BINPUT
                case 0x70 -> memoPut(parseDecimal(readLine()), peek()); // PUT
                case 0x68 -> memoGet(u8()); // BINGET
                case 0x6a -> memoGet(u32()); // LONG_BINGET
                case 0x67 -> memoGet(parseDecimal(readLine())); // GET
                case 0x28 -> { // MARK
                    if (marks.size() >= options.maxDepth) throw error("MARK nesting deeper than " + options.maxDepth);
                    marks.add(stack.size());
                }
                case 0x30 -> { // POP
                    if (!marks.isEmpty() && marks.getLast() == stack.size()) marks.removeLast();
                    else pop();
                }
                case 0x31 -> popMark(); // POP_MARK
                case 0x32 -> push(peek()); // DUP
                // ---- constants --------------------------------------------------------------
                case 0x4e -> push(null); // NONE
                case 0x88 -> push(Boolean.TRUE); // NEWTRUE
                case 0x89 -> push(Boolean.FALSE); // NEWFALSE
                case 0x4a -> push((long) i32()); // BININT
                case 0x4b -> push((long) u8()); // BININT1
                case 0x4d -> push((long) (u8() | (u8() << 8))); // BININT2
                case 0x8a -> push(readLong(u8())); // LONG1
                case 0x8b -> { // LONG4
                    int n = i32();
                    if (n < 0 || n > 1 << 16) throw error("LONG4 of " + n + " bytes");
                    push(readLong(n));
                }
                case 0x49 -> push(parseInt(readLine())); // INT
                case 0x4c -> { // LONG
                    String s = readLine();
                    push(parseBig(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                }
                case 0x47 -> push(Double.longBitsToDouble(data.get(BE_LONG, need(8)))); // BINFLOAT, big-endian
                case 0x46 -> { // FLOAT
                    String s = readLine();
                    try {
                        push(Double.parseDouble(s));
                    } catch (NumberFormatException e) {
                        throw error("bad FLOAT " + Values.repr(s));
                    }
                }
                case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                case 0x58 -> push(utf8(u32())); // BINUNICODE
                case 0x8d -> push(utf8(i64())); // BINUNICODE8
                case 0x56 -> push(rawUnicodeEscape(readLine())); // UNICODE
                case 0x55 -> push(utf8(u8())); // SHORT_BINSTRING (Python 2 str, read as torch.load does: utf-8)
                case 0x54 -> push(utf8(i32())); // BINSTRING
                case 0x53 -> push(pyStringLiteral(readLine())); // STRING
                case 0x43 -> push(bytes(u8())); // SHORT_BINBYTES
                case 0x42 -> push(bytes(u32())); // BINBYTES
                case 0x8e -> push(bytes(i64())); // BINBYTES8
                case 0x96 -> push(bytes(i64())); // BYTEARRAY8
                case 0x97, 0x98 -> throw error("out-of-band buffers (pickle protocol 5 NEXT_BUFFER/READONLY_BUFFER)"
                        + " are not supported in checkpoints");
                // ---- containers -------------------------------------------------------------
                case 0x7d -> push(new LinkedHashMap<>()); // EMPTY_DICT
                case 0x5d -> push(new ArrayList<>()); // EMPTY_LIST
                case 0x29 -> push(new PyTuple(List.of())); // EMPTY_TUPLE
                case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
                case 0x64 -> { // DICT
                    List<Object> items = popMark();
                    Map<Object, Object> d = new LinkedHashMap<>();
                    putPairs(d, items);
                    push(d);
                }
                case 0x6c -> push(new ArrayList<>(popMark())); // LIST
                case 0x74 -> push(new PyTuple(popMark())); // TUPLE
                case 0x85 -> push(new PyTuple(popN(1))); // TUPLE1
                case 0x86 -> push(new PyTuple(popN(2))); // TUPLE2
                case 0x87 -> push(new PyTuple(popN(3))); // TUPLE3
                case 0x91 -> { // FROZENSET
                    Set<Object> s = new LinkedHashSet<>();
                    for (Object o : popMark()) addToSet(s, o);
                    push(Collections.unmodifiableSet(s));
                }
                case 0x61 -> append(peekBelow(1), List.of(pop())); // APPEND
                case 0x65 -> { // APPENDS
                    List<Object> items = popMark();
                    append(peek(), items);
                }
                case 0x73 -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    setItems(peek(), List.of(k, v));
                }
                case 0x75 -> { // SETITEMS
                    List<Object> items = popMark();
                    setItems(peek(), items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    if (!(peek() instanceof Set<?> s) || s.getClass() != LinkedHashSet.class) {
                        throw error("ADDITEMS on a " + Values.typeName(peek()));
                    }
                    @SuppressWarnings("unchecked") Set<Object> set = (Set<Object>) s;
                    for (Object o : items) addToSet(set, o);
                }
                // ---- globals and calls ------------------------------------------------------
                case 0x63 -> { // GLOBAL
                    String module = readLine();
                    String name = readLine();
                    push(calls.global(module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("STACK_GLOBAL needs two strings, got " + Values.typeName(module) + " and "
                                + Values.typeName(name));
                    }
                    push(calls.global(m, n));
                }
                case 0x52 -> { // REDUCE
                    Object args = pop();
                    Object f = pop();
                    push(calls.reduce(f, tupleItems(args, "REDUCE arguments")));
                }
                case 0x81 -> { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    push(calls.newObj(cls, tupleItems(args, "NEWOBJ arguments"), Map.of()));
                }
                case 0x92 -> { // NEWOBJ_EX
                    Object kwargs = pop();
                    Object args = pop();
                    Object cls = pop();
                    if (!(kwargs instanceof Map<?, ?> kw)) throw error("NEWOBJ_EX keyword arguments are not a dict");
                    Map<String, Object> k = new LinkedHashMap<>();
                    for (var e : kw.entrySet()) k.put(String.valueOf(e.getKey()), e.getValue());
                    push(calls.newObj(cls, tupleItems(args, "NEWOBJ_EX arguments"), k));
                }
                case 0x62 -> { // BUILD
                    Object state = pop();
                    calls.build(peek(), state);
                }
                case 0x51 -> push(host.persistentLoad(pop(), this)); // BINPERSID
                case 0x50 -> push(host.persistentLoad(readLine(), this)); // PERSID
                case 0x69 -> { // INST: the class is named inline; a dangerous one is refused as such
                    calls.global(readLine(), readLine());
                    throw error("protocol 0/1 instance creation (INST) is not supported;"
                            + " re-save the file with pickle protocol 2 or later");
                }
                case 0x6f -> throw error("protocol 0/1 instance creation (OBJ) is not supported;"
                        + " re-save the file with pickle protocol 2 or later");
                case 0x82, 0x83, 0x84 -> throw error("the copyreg extension registry (EXT1/EXT2/EXT4) is not supported");
                default -> throw error(String.format("unknown pickle opcode 0x%02x", op));
            }
        }
    }

    // ---- stack -------------------------------------------------------------------------------

    private void push(Object v) throws CheckpointException {
        if (stack.size() >= options.maxStack) throw error("pickle stack deeper than " + options.maxStack);
        stack.add(v);
    }

    private Object pop() throws CheckpointException {
        int floor = marks.isEmpty() ? 0 : marks.getLast();
        if (stack.size() <= floor) throw error("stack underflow");
        return stack.removeLast();
    }

    private Object peek() throws CheckpointException {
        return peekBelow(0);
    }

    private Object peekBelow(int depth) throws CheckpointException {
        int floor = marks.isEmpty() ? 0 : marks.getLast();
        if (stack.size() - depth <= floor) throw error("stack underflow");
        return stack.get(stack.size() - 1 - depth);
    }

    private List<Object> popN(int n) throws CheckpointException {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) items[i] = pop();
        return java.util.Arrays.asList(items);
    }

    private List<Object> popMark() throws CheckpointException {
        if (marks.isEmpty()) throw error("no MARK to pop to");
        int m = marks.removeLast();
        List<Object> sub = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(sub);
        sub.clear();
        return items;
    }

    private void memoPut(long index, Object v) throws CheckpointException {
        if (index < 0) throw error("negative memo index");
        if (!memo.containsKey(index) && memo.size() >= options.maxMemo) {
            throw error("memo larger than " + options.maxMemo + " entries");
        }
        memo.put(index, v);
    }

    private void memoGet(long index) throws CheckpointException {
        if (!memo.containsKey(index)) throw error("memo key " + index + " was never stored");
        push(memo.get(index));
    }

    private List<Object> tupleItems(Object args, String what) throws CheckpointException {
        if (args instanceof PyTuple t) return t.items();
        throw error(what + " must be a tuple, got " + Values.typeName(args));
    }

    @SuppressWarnings("unchecked")
    private void append(Object target, List<Object> items) throws CheckpointException {
        if (target instanceof ArrayList<?> l) {
            ((ArrayList<Object>) l).addAll(items);
        } else if (target instanceof PyObject o) {
            o.listItems().addAll(items);
        } else {
            throw error("can only append to lists, but got " + Values.typeName(target));
        }
    }

    @SuppressWarnings("unchecked")
    private void setItems(Object target, List<Object> kv) throws CheckpointException {
        if (kv.size() % 2 != 0) throw error("SETITEMS with an odd number of items");
        if (target instanceof LinkedHashMap<?, ?> m) putPairs((Map<Object, Object>) m, kv);
        else if (target instanceof PyObject o) putPairs(o.dictItems(), kv);
        else throw error("can only set items of dicts, but got " + Values.typeName(target));
    }

    private void putPairs(Map<Object, Object> d, List<Object> kv) throws CheckpointException {
        if (kv.size() % 2 != 0) throw error("DICT with an odd number of items");
        for (int i = 0; i < kv.size(); i += 2) {
            checkHashable(kv.get(i));
            d.put(kv.get(i), kv.get(i + 1));
        }
    }

    private void addToSet(Set<Object> s, Object o) throws CheckpointException {
        checkHashable(o);
        s.add(o);
    }

    private void checkHashable(Object key) throws CheckpointException {
        String why = Values.unhashableReason(key, 10_000);
        if (why != null) throw error(why);
    }

    // ---- reading -----------------------------------------------------------------------------

    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Reserves {@code n} bytes and returns where they start. */
    private long need(long n) throws CheckpointException {
        if (n < 0 || n > end - pos) throw error("pickle truncated: needs " + n + " more bytes, " + (end - pos) + " left");
        long at = pos;
        pos += n;
        return at;
    }

    private int u8() throws CheckpointException {
        return data.get(ValueLayout.JAVA_BYTE, need(1)) & 0xff;
    }

    private int i32() throws CheckpointException {
        return data.get(LE_INT, need(4));
    }

    private long u32() throws CheckpointException {
        return i32() & 0xffffffffL;
    }

    private long i64() throws CheckpointException {
        return data.get(LE_LONG, need(8));
    }

    private byte[] bytes(long n) throws CheckpointException {
        if (n < 0 || n > end - pos) throw error("length " + n + " runs past the end of the pickle");
        if (n > Integer.MAX_VALUE - 16) throw error("byte string of " + n + " bytes is too large");
        long at = need(n);
        return data.asSlice(at, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private String utf8(long n) throws CheckpointException {
        return new String(bytes(n), StandardCharsets.UTF_8);
    }

    private String readLine() throws CheckpointException {
        long limit = Math.min(end, pos + 65536);
        for (long p = pos; p < limit; p++) {
            if (data.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                String s = new String(data.asSlice(pos, p - pos).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
                pos = p + 1;
                return s;
            }
        }
        throw error("unterminated line (no newline within 64 KiB or before the end)");
    }

    private Object readLong(int n) throws CheckpointException {
        if (n == 0) return 0L;
        byte[] le = bytes(n);
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = le[n - 1 - i];
        return narrow(new BigInteger(be));
    }

    private static Object narrow(BigInteger b) {
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private long parseDecimal(String s) throws CheckpointException {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw error("bad decimal " + Values.repr(s));
        }
    }

    private Object parseInt(String s) throws CheckpointException {
        if (s.equals("00")) return Boolean.FALSE;
        if (s.equals("01")) return Boolean.TRUE;
        return parseBig(s);
    }

    private Object parseBig(String s) throws CheckpointException {
        if (s.length() > 5000) throw error("integer literal too long");
        try {
            return narrow(new BigInteger(s.trim()));
        } catch (NumberFormatException e) {
            throw error("bad integer " + Values.repr(s));
        }
    }

    private String rawUnicodeEscape(String s) throws CheckpointException {
        try {
            return PyText.rawUnicodeEscape(s);
        } catch (IllegalArgumentException e) {
            throw error("bad \\u escape in UNICODE");
        }
    }

    private String pyStringLiteral(String s) throws CheckpointException {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw error("STRING argument is not quoted");
        }
        String body = s.substring(1, s.length() - 1);
        if (body.indexOf('\\') >= 0) throw error("escaped protocol-0 STRING literals are not supported");
        return body;
    }
}
