import { AudioByteStream, shortuuid, tts, type APIConnectOptions } from '@livekit/agents';

// eSpeak NG compiled to WebAssembly (the `espeak-ng` npm package): speech with no network and no
// model download, for `npm start` and the tests. GPL-licensed, so it is a development dependency,
// loaded only when AGENT_TTS=espeak, and never part of the production image.

const SAMPLE_RATE = 22_050;

/** The persona voices as eSpeak variants: the same persona always sounds the same. */
const VARIANTS: Record<string, string> = { aurora: 'f3', breeze: 'f2', cedar: 'm3', dune: 'm1', ember: 'f4', fjord: 'm7' };

interface EspeakModule {
  FS: { readFile(path: string): Uint8Array };
}
type EspeakFactory = (options: { arguments: string[] }) => Promise<EspeakModule>;

let factory: Promise<EspeakFactory> | undefined;
const loadFactory = (): Promise<EspeakFactory> => {
  // A variable specifier keeps the bundler and the type checker from requiring the optional package.
  const specifier = 'espeak-ng';
  factory ??= import(specifier).then((m: { default: EspeakFactory }) => m.default);
  return factory;
};

/** Whether the offline voice can be loaded here (it is a development dependency). */
export async function espeakAvailable(): Promise<boolean> {
  try {
    await loadFactory();
    return true;
  } catch {
    factory = undefined;
    return false;
  }
}

/** Speaks `text` to 16-bit mono PCM at 22,050 Hz. */
export async function espeakPcm(text: string, voice: string): Promise<Int16Array> {
  const speak = await loadFactory();
  const instance = await speak({ arguments: ['-v', voice, '-w', '/out.wav', text] });
  return pcmOfWav(instance.FS.readFile('/out.wav'));
}

/** The samples of a PCM WAV file, found by walking its RIFF chunks to `data`. */
export function pcmOfWav(wav: Uint8Array): Int16Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  let offset = 12;
  while (offset + 8 <= wav.byteLength) {
    const id = String.fromCharCode(...wav.subarray(offset, offset + 4));
    const size = view.getUint32(offset + 4, true);
    if (id === 'data') {
      const bytes = wav.slice(offset + 8, Math.min(wav.byteLength, offset + 8 + size));
      return new Int16Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 2));
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('the WAV file has no data chunk');
}

export class EspeakTTS extends tts.TTS {
  label = 'espeak.TTS';
  private readonly voice: string;

  constructor(options: { language: string; personaVoice: string }) {
    super(SAMPLE_RATE, 1, { streaming: false });
    const language = options.language.toLowerCase();
    this.voice = `${language === 'en' ? 'en-us' : language}+${VARIANTS[options.personaVoice] ?? 'f3'}`;
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): tts.ChunkedStream {
    return new EspeakStream(text, this, this.voice, connOptions, abortSignal);
  }

  stream(): tts.SynthesizeStream {
    throw new Error('espeak.TTS does not stream; the agent wraps it in a sentence stream adapter');
  }
}

class EspeakStream extends tts.ChunkedStream {
  label = 'espeak.ChunkedStream';

  constructor(
    text: string,
    owner: EspeakTTS,
    private readonly voice: string,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, owner, connOptions, abortSignal);
  }

  protected async run(): Promise<void> {
    const pcm = await espeakPcm(this.inputText, this.voice);
    const bytes = new AudioByteStream(SAMPLE_RATE, 1);
    const frames = [...bytes.write(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.byteLength)), ...bytes.flush()];
    const requestId = shortuuid();
    frames.forEach((frame, i) => {
      this.queue.put({ requestId, segmentId: requestId, frame, final: i === frames.length - 1 });
    });
  }
}
