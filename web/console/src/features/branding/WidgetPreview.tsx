import { useConsole } from '../../app/context.js';
import { themeVariables } from '../../theme/theme.js';
import type { BrandingValues } from './branding-form.js';

/**
 * The widget as an end user sees it, drawn from the form's current (unsaved) values: its panel in
 * the brand colour with the logo, the names and the agent's greeting, and its launcher. Not the
 * widget itself (that needs a signed-in user and the saved branding); the same look, updated on every keystroke.
 */
export function WidgetPreview({ values }: { values: BrandingValues }) {
  const { t } = useConsole();
  const name = values.displayName ?? '';
  const agent = values.agentName || name;
  const style = themeVariables({ primaryColor: values.primaryColor ?? '', accentColor: values.accentColor ?? '' });
  const logo = values.logoUrl && /^https?:\/\//.test(values.logoUrl) ? values.logoUrl : undefined;
  return (
    <figure className="preview-stage" style={style} aria-labelledby="preview-caption" data-testid="widget-preview">
      <figcaption id="preview-caption" className="visually-hidden">
        {t('previewTitle')}
      </figcaption>
      <div className="preview-panel">
        <div className="preview-head">
          {logo && <img src={logo} alt="" width={28} height={28} />}
          <strong data-testid="preview-name">{name}</strong>
        </div>
        <div className="preview-body">
          <p className="preview-bubble">
            <strong>{t('previewAgent', { name: agent })}</strong>
            <span data-testid="preview-greeting">{values.greeting ?? ''}</span>
          </p>
          <div>
            <div className="sub">{t('previewBalance')}</div>
            <div>{t('previewAvailable')}</div>
          </div>
          <span className="button primary" aria-hidden="true">
            {t('previewStartCall')}
          </span>
        </div>
      </div>
      <span className="preview-launcher" aria-hidden="true">
        {t('previewLauncher', { name })}
      </span>
    </figure>
  );
}
