package dev.jtorch.io;

import java.nio.charset.StandardCharsets;

/** The text forms of pickle protocol 0: how Python decodes the arguments of STRING and UNICODE. */
final class PyText {
    private PyText() {}

    /** UNICODE's argument, raw-unicode-escape decoded: only backslash-u and backslash-U escapes mean anything. */
    static String rawUnicodeEscape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (s.charAt(i + 1) == 'u' || s.charAt(i + 1) == 'U')) {
                int len = s.charAt(i + 1) == 'u' ? 4 : 8;
                if (i + 2 + len > s.length()) throw new IllegalArgumentException("bad \\u escape in UNICODE");
                sb.appendCodePoint(Integer.parseInt(s.substring(i + 2, i + 2 + len), 16));
                i += 1 + len;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * STRING's argument: a quoted Python 2 string literal, escapes decoded as
     * {@code codecs.escape_decode} does, then read as Latin-1 (one char per byte), which is how
     * Python 3's pickle hands such names to {@code find_class}.
     */
    static String stringLiteral(String s) {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw new IllegalArgumentException("STRING argument is not quoted");
        }
        byte[] raw = s.substring(1, s.length() - 1).getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(raw.length);
        for (int i = 0; i < raw.length; i++) {
            int b = raw[i] & 0xff;
            if (b != '\\' || i + 1 == raw.length) {
                sb.append((char) b);
                continue;
            }
            int e = raw[++i] & 0xff;
            switch (e) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'a' -> sb.append('\u0007');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000b');
                case '\\', '\'', '"' -> sb.append((char) e);
                case '\n' -> { } // a line continuation
                case 'x' -> {
                    if (i + 2 >= raw.length) throw new IllegalArgumentException("truncated \\x escape");
                    sb.append((char) Integer.parseInt(new String(raw, i + 1, 2, StandardCharsets.ISO_8859_1), 16));
                    i += 2;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0', n = 1;
                        while (n < 3 && i + 1 < raw.length && raw[i + 1] >= '0' && raw[i + 1] <= '7') {
                            v = v * 8 + (raw[++i] - '0');
                            n++;
                        }
                        sb.append((char) (v & 0xff));
                    } else {
                        sb.append('\\').append((char) e); // unknown escapes stay as written
                    }
                }
            }
        }
        return sb.toString();
    }
}
