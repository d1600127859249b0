package dev.jtorch;

/** Where a tensor lives: {@code cpu}, or {@code cuda:N}. */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", -1);

    public static Device cuda(int index) { return new Device("cuda", index); }

    public static Device parse(String s) {
        if (s.equals("cpu")) return CPU;
        if (s.equals("cuda")) return cuda(0);
        if (s.startsWith("cuda:")) return cuda(Integer.parseInt(s.substring(5)));
        throw new IllegalArgumentException("Expected one of cpu, cuda device type at start of device string: " + s);
    }

    public boolean isCpu() { return type.equals("cpu"); }

    @Override
    public String toString() { return index < 0 ? type : type + ":" + index; }
}
