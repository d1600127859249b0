package dev.jtorch.io;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON (RFC 8259) parser and string quoter for safetensors headers. Objects become
 * {@link LinkedHashMap} in document order (a repeated key is an error), arrays {@link List},
 * integers {@link Long} (or {@link BigInteger} when they do not fit), other numbers
 * {@link Double}, and {@code true}/{@code false}/{@code null} themselves. Nesting is bounded, so a
 * hostile header cannot overflow the stack. Public only for {@link #quote}, which the command
 * line's JSON output uses too.
 */
public final class Json {
    static final int MAX_DEPTH = 64;

    /** A syntax error, with the character offset where it was found. */
    static final class JsonException extends Exception {
        JsonException(String message, int offset) {
            super(message + " at character " + offset);
        }
    }

    private final String text;
    private int pos;
    private int depth;

    private Json(String text) {
        this.text = text;
    }

    /** Parses one JSON value; only whitespace may follow it. */
    static Object parse(String text) throws JsonException {
        Json p = new Json(text);
        p.skipWhitespace();
        Object v = p.value();
        p.skipWhitespace();
        if (p.pos != text.length()) throw new JsonException("unexpected text after the JSON value", p.pos);
        return v;
    }

    /** {@code s} as a JSON string literal, with the escapes JSON requires. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }

    private Object value() throws JsonException {
        if (pos >= text.length()) throw new JsonException("unexpected end of JSON", pos);
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw new JsonException("unexpected character '" + printable(c) + "'", pos);
            }
        };
    }

    private Map<String, Object> object() throws JsonException {
        enter();
        pos++; // {
        Map<String, Object> out = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            depth--;
            return out;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw new JsonException("expected a string key", pos);
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value();
            if (out.containsKey(key)) throw new JsonException("duplicate key " + quote(key), keyAt);
            out.put(key, v);
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') break;
            if (c != ',') throw new JsonException("expected ',' or '}'", pos - 1);
        }
        depth--;
        return out;
    }

    private List<Object> array() throws JsonException {
        enter();
        pos++; // [
        List<Object> out = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            depth--;
            return out;
        }
        while (true) {
            skipWhitespace();
            out.add(value());
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') break;
            if (c != ',') throw new JsonException("expected ',' or ']'", pos - 1);
        }
        depth--;
        return out;
    }

    private String string() throws JsonException {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) throw new JsonException("unterminated string", pos);
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw new JsonException("control character in a string", pos - 1);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) throw new JsonException("unterminated escape", pos);
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) throw new JsonException("short \\u escape", pos);
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) throw new JsonException("bad \\u escape", pos);
                        code = code * 16 + d;
                    }
                    pos += 4;
                    sb.append((char) code);
                }
                default -> throw new JsonException("bad escape '\\" + printable(e) + "'", pos - 1);
            }
        }
    }

    private Object number() throws JsonException {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw new JsonException("bad number", start);
        }
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw new JsonException("bad number", start);
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw new JsonException("bad number", start);
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (!integral) return Double.parseDouble(s);
        if (s.length() > 4000) throw new JsonException("number too long", start);
        BigInteger b = new BigInteger(s);
        return b.bitLength() < 64 ? (Object) b.longValue() : b;
    }

    private Object literal(String word, Object v) throws JsonException {
        if (!text.startsWith(word, pos)) throw new JsonException("bad literal", pos);
        pos += word.length();
        return v;
    }

    private void enter() throws JsonException {
        if (++depth > MAX_DEPTH) throw new JsonException("nested deeper than " + MAX_DEPTH + " levels", pos);
    }

    private void expect(char c) throws JsonException {
        if (peek() != c) throw new JsonException("expected '" + c + "'", pos);
        pos++;
    }

    /** The current character, or NUL at the end (never valid where it is checked). */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
