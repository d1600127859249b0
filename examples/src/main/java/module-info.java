/** An application module that uses jtorch: it needs only {@code dev.jtorch.models}. */
module dev.jtorch.examples {
    requires dev.jtorch.models;
    requires java.desktop; // only to draw the example's images
}
