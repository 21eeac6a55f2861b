import { parseLoaderAttributes, refusalMessage } from './attributes.js';

describe('loader attributes', () => {
  it('derives the tenant origin from the script src and applies defaults', () => {
    expect(parseLoaderAttributes('https://acme.mindbot.ai/widget.js?v=1', {})).toEqual({
      apiOrigin: 'https://acme.mindbot.ai',
      scriptUrl: 'https://acme.mindbot.ai/widget.js?v=1',
      position: 'bottom-right',
      language: undefined,
      open: false,
      mode: 'launcher',
      container: undefined,
    });
  });

  it('reads position, language, open, mode and container', () => {
    const options = parseLoaderAttributes('http://localhost:8080/widget.js', {
      position: 'bottom-left',
      language: 'de-CH',
      open: 'true',
      container: '#here',
    });
    expect(options).toMatchObject({
      apiOrigin: 'http://localhost:8080',
      position: 'bottom-left',
      language: 'de',
      open: true,
      container: '#here',
    });
  });

  it('opens inline mode always and ignores unknown values', () => {
    expect(parseLoaderAttributes('https://t.example/widget.js', { mode: 'inline', open: 'false' })).toMatchObject({
      mode: 'inline',
      open: true,
    });
    expect(
      parseLoaderAttributes('https://t.example/widget.js', { mode: 'popup', position: 'top', language: 'fr', open: 'yes' }),
    ).toMatchObject({
      mode: 'launcher',
      position: 'bottom-right',
      language: 'en',
      open: false,
    });
  });

  it('names the page origin and the tenant host in the refusal', () => {
    expect(refusalMessage('https://shop.example', 'https://acme.mindbot.ai')).toBe(
      "MindBot widget: this site (https://shop.example) is not allowed to embed acme.mindbot.ai; add it to the tenant's allowed origins",
    );
  });
});
