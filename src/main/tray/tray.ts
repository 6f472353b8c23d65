import { Menu, nativeImage, Tray, type MenuItemConstructorOptions, type NativeImage } from 'electron'
import { join } from 'node:path'
import { buildTrayMenu, trayIconState, trayTooltip, type TrayAction, type TrayIconState, type TrayMenuItem, type TrayState } from './menu'

/** Tray items that change a VM: from the click until the engine has a task for it, the VM's items wait. */
const VM_CHANGING: ReadonlySet<TrayAction['kind']> = new Set(['vm:start', 'vm:stop', 'vm:restart', 'vm:snapshot', 'vm:rollback'])

/** Electron's template for a plain tray item; actions run through `run`. */
export function toElectronTemplate(items: TrayMenuItem[], run: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item) => {
    if (item.type === 'separator') return { type: 'separator' }
    const options: MenuItemConstructorOptions = { label: item.label ?? '', enabled: item.enabled ?? true }
    if (item.submenu) options.submenu = toElectronTemplate(item.submenu, run)
    const action = item.action
    if (action) options.click = () => run(action)
    return options
  })
}

/**
 * The menu-bar icon: a template image per aggregate state (macOS tints it for light and dark bars), and a
 * menu built from the current state each time it opens, so it never shows stale VMs.
 */
export class CalTray {
  private readonly tray: Tray
  private readonly images = new Map<TrayIconState, NativeImage>()
  private shown: TrayIconState | null = null
  /** VMs a tray action is under way for (see TrayState.pending). */
  private readonly pending = new Set<string>()
  private destroyed = false

  /** `run` settles once the action has handed over to the engine (its task then keeps the VM busy) or failed. */
  constructor(
    private readonly resourcesDir: string,
    private readonly shellState: () => Omit<TrayState, 'pending'>,
    private readonly run: (action: TrayAction) => Promise<void>,
  ) {
    this.tray = new Tray(this.image('idle'))
    const open = () => this.tray.popUpContextMenu(this.menu())
    this.tray.on('click', open)
    this.tray.on('right-click', open)
    this.refresh()
  }

  menu(): Menu {
    return Menu.buildFromTemplate(toElectronTemplate(buildTrayMenu(this.state()), (action) => this.runAction(action)))
  }

  private state(): TrayState {
    return { ...this.shellState(), pending: this.pending }
  }

  private runAction(action: TrayAction): void {
    const vm = VM_CHANGING.has(action.kind) && 'vm' in action ? action.vm : null
    if (vm) {
      this.pending.add(vm)
      this.refresh()
    }
    void this.run(action)
      .catch(() => {})
      .finally(() => {
        if (!vm || this.destroyed) return
        this.pending.delete(vm)
        this.refresh()
      })
  }

  /** Swap the icon and tooltip when the aggregate state changed. */
  refresh(): void {
    const state = this.state()
    const icon = trayIconState(state)
    if (icon !== this.shown) {
      this.tray.setImage(this.image(icon))
      this.shown = icon
    }
    this.tray.setToolTip(trayTooltip(state))
    // Linux ignores click events on tray icons: there the menu must be attached (rebuilt on every refresh).
    if (process.platform === 'linux') this.tray.setContextMenu(this.menu())
  }

  destroy(): void {
    this.destroyed = true
    this.tray.destroy()
  }

  private image(state: TrayIconState): NativeImage {
    let image = this.images.get(state)
    if (!image) {
      // nativeImage picks up the @2x file next to it; "Template" in the name makes macOS tint it.
      image = nativeImage.createFromPath(join(this.resourcesDir, 'tray', `${state}Template.png`))
      image.setTemplateImage(true)
      this.images.set(state, image)
    }
    return image
  }
}
