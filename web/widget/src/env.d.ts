/** The app entry file (relative to widget.js), written into the loader by the build. */
declare const __MINDBOT_APP_ENTRY__: string;
